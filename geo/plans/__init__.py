"""Plan profiles: a 自然灾害救助应急预案 as data, its thresholds, procedures and reporting rules."""
