"""The voice channel: Asterisk AMI call tracking, Twilio Voice IVR, screen pops, the callback list."""
