# What Lambda runs, for both builds that make code for it (layers/core/Makefile, the core
# layer; functions/benchmark_runner/Makefile, the function's own package), each included
# from its Makefile by the repo root it finds from its own location (sam build runs them
# from a scratch copy of their directory).

# The interpreter the wheels and .pyc files are made for; must match the Lambda runtime
# (template.yaml: python3.12). pyenv provides python3.12 here (PYENV_VERSION is exported
# by the top-level Makefile).
LAYER_PYTHON ?= python3.12
# Target CPU of the wheels: aarch64 (default, matches the Architecture parameter's
# default arm64) or x86_64. The top-level Makefile passes it through.
LAYER_ARCH ?= aarch64

# Binary wheels only, for the Lambda platform, never the build machine's: a source build
# here would produce code for the wrong CPU. --no-compile: the .pyc files are made
# afterwards for the runtime's interpreter. Each build adds its --platform tags and target.
LAMBDA_PIP_INSTALL = $(LAYER_PYTHON) -m pip install --quiet --disable-pip-version-check \
	--no-compile --implementation cp --python-version 3.12 --only-binary=:all:

# The first lines of each build-<Resource> recipe: sam build sets ARTIFACTS_DIR, and the
# runtime's interpreter must be on PATH.
define lambda_build_checks
@test -n "$(ARTIFACTS_DIR)" || { echo "ARTIFACTS_DIR is not set (run via sam build)"; exit 1; }
@command -v $(LAYER_PYTHON) >/dev/null || { echo "$(LAYER_PYTHON) not on PATH"; exit 1; }
endef
