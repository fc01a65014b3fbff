r"""The camera agent process (\`liveshow camera\`): capture, keying, recording, the take outbox."""
