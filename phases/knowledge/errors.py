class KnowledgeError(ValueError):
    """A knowledge file (rules, rig, colours) is missing or invalid. The message names the file and field."""
