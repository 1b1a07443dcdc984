"""cueflow phases: plain, Prefect-free functions that turn a script into a lighting plan."""
