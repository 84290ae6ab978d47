"""What a command measures, decided before anything runs: ``commands`` turns the user's
RunRequest into a PlanRequest, ``planner`` builds the one plan model from it."""
