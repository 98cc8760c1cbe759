"""autosdk-py: typed Python SDKs from OpenAPI + AsyncAPI specs that share their models."""

__version__ = "0.1.0"
