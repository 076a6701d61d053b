"""Projects: configuration, pipeline, report and the bundled demo."""
