"""Custom Rasa NLU components (loaded by name from config.yml, e.g.
`nlu_components.dutch_lemmatizer.DutchLemmatizer`)."""
