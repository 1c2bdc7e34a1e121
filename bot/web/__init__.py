"""The web app on port 8000: the demo site with the chat widget, the advisors' console and the JSON API."""
