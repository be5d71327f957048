"""What the Amplify JS libraries do, for Python: Auth (sign up, confirm, sign in/out, tokens) and API calls."""
