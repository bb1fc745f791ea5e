"""A test-only plugin: notes in a space. It plugs in through hooks alone, as any third-party plugin would."""
