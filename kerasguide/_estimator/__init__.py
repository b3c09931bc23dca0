"""The private machinery of the estimators: building, training, engines, inference, backends."""
