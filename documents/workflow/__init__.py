"""发文 and 收文 workflows (services in ``outgoing`` and ``incoming``; transition tables in ``tables``)."""
