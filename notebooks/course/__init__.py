"""Makes the lessons folder a package, so that its conftest (strict checks under pytest) is told apart from tests/conftest.py."""
