"""F5: group mock rounds shaped like an interview loop, and solo rounds with the bot.

`plan` decides who asks what, `render` writes the texts, `steps` moves a round from state
to state (each step one transaction with its outbox messages), `solo` is the bot-as-
interviewer round, `lineup` signs members up and lets them leave, `scoring` takes the
panel's scores and the Bar Raiser's decision, `flow` answers the /mock commands and routes
the buttons and forms, and `timers` runs the timed steps from the rows.
"""
