"""Fake datasets: Dataset.from_list keeps the rows."""
__version__ = '4.1.0-fake'


class Dataset(list):
    @classmethod
    def from_list(cls, rows):
        return cls(rows)
