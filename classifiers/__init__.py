"""NLU components of the help desk that Rasa does not bring itself (config.yml)."""
