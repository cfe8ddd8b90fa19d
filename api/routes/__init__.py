"""The REST routes, one module per concern; each route is a thin call into the store and ``api.views``."""
