"""A load generator for a full house: simulated phones against liveshow and a Node.js
socket.io 4 reference server (issue 10).

(How to run each scenario: see the end of this docstring, filled in below.)
"""
