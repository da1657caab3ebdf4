"""Purchase outlook: who is likely still a customer and what to expect next, fitted on the shop's own orders."""
