"""liveqc.dashboards: the role home pages ("what needs me now"), read-only views over the
other domains."""
