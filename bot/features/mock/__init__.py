"""F5: group mock rounds shaped like an interview loop, and solo rounds with the bot.

`plan` decides who asks what, `render` writes the texts, `steps` moves a round from state
to state (each step one transaction with its outbox messages), `solo` is the bot-as-
interviewer round, `flow` answers the /mock commands, buttons and forms, and `timers`
runs the timed steps from the rows.
"""
