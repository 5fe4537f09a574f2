"""pytest fixtures for tests against a real OpenXR runtime (Monado 25, headless).

These tests run inside the XR test root, never on the host directly:

    sudo tools/xr/test.sh                 # build/refresh the root, then pytest -q tests/xr in it
    sudo tools/xr/run-in-root.sh python -m pytest tests/xr -k remote

Anywhere else (no ``monado-service``, ``Xvfb`` or pyopenxr) the whole directory is skipped at
collection, so a host-side ``pytest tests`` passes. ``PROSECTOR_XR_REQUIRE=1`` (set by test.sh)
turns that skip into an error, so a broken root cannot make CI pass by skipping everything.

Fixtures (all poses in STAGE space, metres, quaternions (x, y, z, w); see ``monado.py``):

``monado``          a started :class:`monado.MonadoService`: null compositor (20 Hz, images
                    discarded), Monado's Simulated HMD, no controllers.
``monado_remote``   the same with the remote driver: "Remote HMD" + two valve/index_controller
                    controllers, scripted through ``remote_rig``.
``remote_rig``      a :class:`monado.RemoteRig` connected to ``monado_remote`` and reset to Monado's
                    reset state (head at 1.6 m, controllers at (-/+0.2, 1.3, -0.5)).
``monado_factory``  ``start(driver="simulated", **kwargs)`` for services with other options
                    (``env=``, ``remote_port=``); at most one per ``XDG_RUNTIME_DIR`` at a time.
``xvfb``            a session-wide :class:`monado.Xvfb`; ``xvfb.display`` is e.g. ``":1"``.

A client process gets its environment from ``service.client_env()`` (EGL surfaceless) or
``service.client_env(display=xvfb.display)`` (GLX). Mid-test, ``service.kill()`` simulates a crash,
``service.stop()`` / ``service.start()`` / ``service.restart()`` bring it back (same remote port;
a rig must then ``connect()`` again). Each fixture's logs live in the test's ``tmp_path``; the tail
of the Monado log is printed when a test fails.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# The helper modules sit beside this file; make them importable whatever pytest's import mode.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from monado import MonadoService, RemoteRig, Xvfb, missing_requirements  # noqa: E402

_MISSING = missing_requirements()
_WHY = f"XR tests need the XR test root (missing: {', '.join(_MISSING)}); run tools/xr/test.sh"


class _UnavailableModule(pytest.Module):
    """Stands in for a test module when the runtime is missing: never imports it (it may import
    pyopenxr at the top), and reports it skipped, or failed under PROSECTOR_XR_REQUIRE=1."""

    def collect(self):
        if os.environ.get("PROSECTOR_XR_REQUIRE") == "1":
            pytest.fail(_WHY, pytrace=False)
        pytest.skip(_WHY)


if _MISSING:
    # A hook rather than a skip while this file is imported: pytest cannot handle that skip when
    # tests/xr itself is on the command line (the conftest is then loaded before collection starts).
    def pytest_pycollect_makemodule(module_path, parent):
        return _UnavailableModule.from_parent(parent, path=module_path)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the item, so fixtures can tell at teardown whether the test failed.
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"_xr_report_{report.when}", report)


def _failed(node) -> bool:
    return any(getattr(getattr(node, f"_xr_report_{when}", None), "failed", False) for when in ("setup", "call"))


@pytest.fixture(scope="session")
def xvfb(tmp_path_factory):
    """A virtual X server shared by the session (for GLX clients and XRT_COMPOSITOR_FORCE_XCB)."""
    server = Xvfb(tmp_path_factory.mktemp("xvfb")).start()
    yield server
    server.stop()


@pytest.fixture
def monado_factory(request, tmp_path):
    """``start(driver="simulated", **kwargs) -> MonadoService``; every service is stopped after the
    test, and its log tail printed if the test failed."""
    services: list[MonadoService] = []

    def start(driver: str = "simulated", **kwargs) -> MonadoService:
        service = MonadoService(tmp_path / f"monado-{len(services)}-{driver}", driver=driver, **kwargs)
        services.append(service)
        return service.start()

    yield start
    for service in services:
        status = service.stop()
        if _failed(request.node):
            print(f"--- {service.log_path} (exit status {status})\n{service.log_tail(60)}")


@pytest.fixture
def monado(monado_factory) -> MonadoService:
    """monado-service with the null compositor and the Simulated HMD (no controllers)."""
    return monado_factory("simulated")


@pytest.fixture
def monado_remote(monado_factory) -> MonadoService:
    """monado-service with the null compositor and the remote driver (``remote_port`` is free)."""
    return monado_factory("remote")


@pytest.fixture
def remote_rig(monado_remote):
    """A RemoteRig feeding ``monado_remote``, reset to Monado's reset state before the test."""
    rig = RemoteRig(monado_remote.remote_port).connect()
    yield rig
    rig.close()
