"""Relief supply: needs per person, the supply plan, stock allocation and depot readiness."""
