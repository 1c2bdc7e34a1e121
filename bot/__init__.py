"""Domain logic of the Drenthe entrepreneurs' help desk: catalog, booking, CRM, web app."""
