#!/usr/bin/env python3
"""Builds this set (the folder above src/) with data/writer-prompts/build_set.py; run from anywhere."""
import os
import runpy
import sys

SET = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.argv[1:] = [SET]
runpy.run_path(SET.rsplit(f"{os.sep}data{os.sep}", 1)[0] + "/data/writer-prompts/build_set.py", run_name="__main__")
