"""bench/soak.py's collector counts: a package only so that mypy tells its sitecustomize
from request_path_marks'; serve loads sitecustomize.py with this folder on its PYTHONPATH."""
