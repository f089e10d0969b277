"""The optional compiled part of the package (sharedblob._fast, the hot calls without
ctypes): built when a C compiler and the Python headers are there, skipped otherwise.
The rest of the metadata is in pyproject.toml."""
from setuptools import Extension, setup

setup(ext_modules=[Extension("sharedblob._fast", ["sharedblob/_fast.c"], include_dirs=["sharedblob"],
                             extra_compile_args=["-O2", "-std=c11"], optional=True)])
