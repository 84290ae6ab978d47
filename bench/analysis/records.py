"""The JSON of an answer's records (memory, plateau, fit, prediction, ...): each class
states its keys in one table."""


class AsJson:
    """``as_dict()`` from the class's ``JSON`` table: each JSON key, in the order the JSON
    shows them, with the attribute that holds its value, or a function of the object."""
    JSON: dict = {}

    def as_dict(self) -> dict:
        return {key: value(self) if callable(value) else getattr(self, value)
                for key, value in self.JSON.items()}
