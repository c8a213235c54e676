"""The conversational intake that runs in the action server: form specs, the step-by-step
form flow, reading values from free text, and the summary shown before submitting."""
