"""The ROSE action plan: strategic lines, objectives, actions, indicators and transversal themes."""
