"""Mock exams, interview drills and the study plan."""
