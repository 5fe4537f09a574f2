"""Image quality against ground truth: test scenes, Mitsuba 3 reference renders, and metrics.

Needs the `quality` extra (mitsuba, flip-evaluator, scikit-image); nothing else imports this package.
"""
