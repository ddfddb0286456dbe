def register(router):
    return None
