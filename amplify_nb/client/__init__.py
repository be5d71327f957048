"""What the Amplify JS libraries do, for Python: Auth (sign up, confirm, sign in/out, tokens) and API calls."""
from .api import (API, ApiError, ApiNetworkError, ApiResponse, BadGatewayError, BadRequestError, ForbiddenError,
                  GatewayTimeoutError, NotFoundError, ServerError, ThrottledError, UnauthorizedError, frame)
from .auth import Auth, AuthConfig, AuthError, NotSignedInError
from .beer import BeerApi

__all__ = ["API", "ApiError", "ApiNetworkError", "ApiResponse", "Auth", "AuthConfig", "AuthError", "BadGatewayError",
           "BadRequestError", "BeerApi", "ForbiddenError", "GatewayTimeoutError", "NotFoundError", "NotSignedInError",
           "ServerError", "ThrottledError", "UnauthorizedError", "frame"]
