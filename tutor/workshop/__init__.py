"""Instructor-run workshops: the pack, the wire protocol, the attendee's client and the class server.

The server (``tutor.workshop.server``) never imports the TUI, the sandbox or the grader: attendees grade on
their own machines and the server stores what they send.
"""
