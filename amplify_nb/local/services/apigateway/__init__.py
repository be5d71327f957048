"""The local API Gateway data plane: deployed REST API stages served with API Gateway's routing, auth, Lambda
proxy integration and error answers; models.py reads moto's state, responses.py is the HTTP face.

The one line of glue to the daemon: the middleware's registration.
"""
from ...middleware import MIDDLEWARES
from .responses import ApiGatewayService

MIDDLEWARES.append(ApiGatewayService)
