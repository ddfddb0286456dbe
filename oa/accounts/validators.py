class CharacterClassValidator:
    def validate(self, password, user=None):
        return None

    def get_help_text(self):
        return ""
