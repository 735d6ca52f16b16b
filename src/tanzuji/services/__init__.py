"""The use cases both shells (CLI, web) call: one function per action (issue, …)."""
