"""``wganlab bench``: generator steps per second, compiled against eager and a Keras-fit baseline."""


def register(sub) -> None:
    """Add the ``bench`` subcommand to the ``wganlab`` parser."""
