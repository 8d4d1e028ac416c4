"""One module per capability; each works over events and scheduler ticks through Services."""
