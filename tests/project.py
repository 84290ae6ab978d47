"""Where the checkout under test is (a module of its own: ``from conftest import`` would
find whichever folder's conftest Python imported first)."""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
