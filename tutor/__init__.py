"""aws-tutor: learn AWS in the terminal."""

__version__ = "0.1.0"
