pytest_plugins = ["cityloop.testing"]
