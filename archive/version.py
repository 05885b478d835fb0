"""The program's name and version (a light module: the CLI reads it before anything heavy)."""

APP_NAME = "Legajo"
APP_VERSION = "0.1.0"
