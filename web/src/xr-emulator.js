// Loaded only with ?xr=emulate: Meta's IWER stands in for a Quest 3 where the browser has no WebXR
// device (tests in headless Chromium, or a teacher previewing the VR view on a laptop).
import { XRDevice, metaQuest3 } from 'iwer';

const device = new XRDevice(metaQuest3);
device.installRuntime({ forceInstall: true });
window.prosectorXrEmulator = device;
