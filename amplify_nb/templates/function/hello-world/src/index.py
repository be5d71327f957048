"""Amplify's Hello World function, in Python: answers every request with 200, a JSON body and CORS headers."""
import json


def handler(event, context):
    print("received event:")
    print(json.dumps(event))
    return {
        "statusCode": 200,
        "headers": {
            "Access-Control-Allow-Headers": "*",
            "Access-Control-Allow-Origin": "*",
            "Access-Control-Allow-Methods": "OPTIONS,POST,GET",
            "Content-Type": "application/json",
        },
        "body": json.dumps("Hello from your new Amplify Python lambda!"),
    }
