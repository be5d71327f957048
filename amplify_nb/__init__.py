"""amplify_nb: the Amplify Gen 1 backend workflow in notebooks, against an embedded local cloud or AWS."""

__version__ = "0.1.0"
