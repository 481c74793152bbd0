"""timephrase"""
