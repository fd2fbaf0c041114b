"""After the day: the final figures, the summary paragraph, its versions and exports."""
