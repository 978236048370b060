"""Classes that the fixtures pickle by reference (the Java reader must never resolve them)."""
import os


class Config:
    def __init__(self, a, b):
        self.a = a
        self.b = b


class Evil:
    def __reduce__(self):
        return (os.system, ("echo this must never run",))


class Holder:
    def __init__(self, tensor):
        self.tensor = tensor

    def __reduce__(self):
        return (Holder, (self.tensor,))
