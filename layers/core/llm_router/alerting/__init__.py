"""The alert checker: rules over the day's rollups, deduplicated, sent to SNS and Slack."""
