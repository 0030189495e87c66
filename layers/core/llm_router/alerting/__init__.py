"""Alerting: rules over the rollups (``rules``), their configuration (``config``), the
inputs they read (``usage``), channels (``notify``), the run that ties them together
(``checker``) and its construction from settings (``wiring``)."""
